// Every GraphQL operation of the journeys area.
import { graphql } from '@/gql';

export const JourneysQuery = graphql(`
  query Journeys($search: String, $status: JourneyStatus, $first: Int, $after: String) {
    journeys(search: $search, status: $status, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name description status latestVersion draftChanged enrolledCount insideCount updatedAt createdAt } }
    }
  }
`);

export const JourneyNodeTypesQuery = graphql(`
  query JourneyNodeTypes {
    journeyNodeTypes {
      id version kind icon configSchema
      title { zhCN en }
      description { zhCN en }
      ports { id title { zhCN en } }
      portsFromConfig { field id title }
    }
  }
`);

export const JourneyQuery = graphql(`
  query Journey($id: ID!) {
    journey(id: $id) {
      id name description status draft layout settings latestVersion draftChanged updatedAt enrolledCount insideCount
      validation { code severity nodeId field message }
      stats { nodeId entered waiting completed failed exited }
    }
  }
`);

export const PublishedVersionQuery = graphql(`
  query JourneyPublishedVersion($id: ID!, $number: Int!) {
    journey(id: $id) { id version(number: $number) { number definition publishedAt } }
  }
`);

export const ValidateJourneyQuery = graphql(`
  query ValidateJourney($definition: JSONObject!) {
    validateJourney(definition: $definition) { code severity nodeId field message }
  }
`);

export const JourneyProgressSubscription = graphql(`
  subscription JourneyProgress($journeyId: ID!) {
    journeyProgress(journeyId: $journeyId) {
      journeyId at
      journey { id status enrolledCount insideCount }
      nodes { nodeId entered waiting completed failed exited }
    }
  }
`);

export const JourneyCountsSubscription = graphql(`
  subscription JourneyCounts($journeyId: ID!) {
    journeyProgress(journeyId: $journeyId) { journeyId journey { id status enrolledCount insideCount } }
  }
`);

export const CreateJourneyMutation = graphql(`
  mutation CreateJourney($input: JourneyInput!) {
    createJourney(input: $input) {
      __typename
      ... on Journey { id name }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on ConflictError { field }
    }
  }
`);

export const UpdateJourneyMutation = graphql(`
  mutation UpdateJourney($id: ID!, $input: JourneyPatch!) {
    updateJourney(id: $id, input: $input) {
      __typename
      ... on Journey { id name description settings draftChanged updatedAt status validation { code severity nodeId field message } }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on ConflictError { field }
    }
  }
`);

export const PublishJourneyMutation = graphql(`
  mutation PublishJourney($id: ID!, $migrate: Boolean) {
    publishJourney(id: $id, migrate: $migrate) {
      __typename
      ... on PublishJourneyPayload { journey { id status latestVersion draftChanged } version { number } migration { moved } }
      ... on JourneyValidationError { issues { code severity nodeId field message } }
      ... on Error { message code }
    }
  }
`);

export const PauseJourneyMutation = graphql(`
  mutation PauseJourney($id: ID!) {
    pauseJourney(id: $id) { __typename ... on Journey { id status draftChanged latestVersion } ... on Error { message code } }
  }
`);

export const ResumeJourneyMutation = graphql(`
  mutation ResumeJourney($id: ID!) {
    resumeJourney(id: $id) { __typename ... on Journey { id status draftChanged latestVersion } ... on Error { message code } }
  }
`);

export const ArchiveJourneyMutation = graphql(`
  mutation ArchiveJourney($id: ID!) {
    archiveJourney(id: $id) { __typename ... on Journey { id status draftChanged latestVersion } ... on Error { message code } }
  }
`);

export const DeleteJourneyMutation = graphql(`
  mutation DeleteJourney($id: ID!) {
    deleteJourney(id: $id) { __typename ... on Deleted { deletedId } ... on Error { message code } }
  }
`);

export const SimulateJourneyQuery = graphql(`
  query SimulateJourney($definition: JSONObject!, $settings: JSONObject, $customerId: ID!, $events: [SimulatedEventInput!], $start: DateTime) {
    simulateJourney(definition: $definition, settings: $settings, customerId: $customerId, events: $events, start: $start) {
      __typename
      ... on JourneySimulation {
        outcome endedAt
        steps { nodeId nodeType at leftAt outcome port note }
        effects { at nodeId kind detail }
        issues { code severity nodeId field message }
      }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);

export const CustomerSearchQuery = graphql(`
  query JourneyCustomerSearch($text: String) {
    customers(first: 20, filter: { text: $text }) { edges { node { id name phone email } } }
  }
`);

export const PreviewMessageQuery = graphql(`
  query JourneyPreviewMessage($customerId: ID!, $template: String!, $subject: String, $links: JSONObject) {
    previewMessage(customerId: $customerId, template: $template, subject: $subject, links: $links) {
      __typename
      ... on MessagePreview { subject body }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);
