-- A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits. Rows
-- keyed by it are written at the right edge of their primary key instead of a random leaf page.
CREATE OR REPLACE FUNCTION uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

-- The message log keeps no foreign key: deleting a customer deletes their messages in the same
-- transaction (the deleteCustomer mutation).
-- DropForeignKey
ALTER TABLE "Delivery" DROP CONSTRAINT "Delivery_customerId_fkey";

-- AlterTable
ALTER TABLE "Delivery" ALTER COLUMN "id" SET DEFAULT uuid_v7();

-- AlterTable
ALTER TABLE "Event" ALTER COLUMN "id" SET DEFAULT uuid_v7();
