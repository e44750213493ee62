/**
 * Every close code the gateway's graphql-ws endpoint uses, in one place. Clients should
 * reconnect (with backoff) on 1001, 1008 and 4401-after-refreshing-the-token; 4403 and 4029
 * mean "do not retry as you are".
 */
export const CloseCodes = {
  /** The gateway is shutting down: reconnect, another replica will answer. */
  GoingAway: 1001,
  /** The client did not read fast enough and its buffer hit the cap: reconnect and resume with afterSeq. */
  SlowConsumer: 1008,
  /** No access token in `connection_init`, or it expired: refresh it and reconnect. */
  Unauthorized: 4401,
  /** The access token is invalid, or its session was ended (logout, ban). */
  Forbidden: 4403,
  /** This user already has as many open connections as allowed. */
  TooManyConnections: 4029,
} as const;
