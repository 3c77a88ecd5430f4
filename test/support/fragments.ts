export const JOB_FIELDS = /* GraphQL */ `
  fragment JobFields on Job {
    id service region projectId jobId jobType state rawStatus terminal progress startedAt finishedAt
    error { code message }
    entities {
      __typename
      ... on Desktop { id name productId userName ipAddress }
      ... on AppServer { id name }
      ... on DatabaseInstance { id name endpoint type datastoreType datastoreVersion }
      ... on CloudPhone { id }
      ... on CloudPhoneServer { id }
    }
    subJobs { __typename id parentJobId jobType state rawStatus terminal progress error { code message } }
  }
`;
