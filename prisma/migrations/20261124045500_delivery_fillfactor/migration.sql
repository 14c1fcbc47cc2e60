-- Room in every page for updates in place (HOT): a campaign claim writes only the lease and the
-- attempt count, which no index holds, so with free space on the page no index is touched.
ALTER TABLE "Delivery" SET (fillfactor = 80);
