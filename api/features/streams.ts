// The streams feature's part of the contract. Filled by its issue; empty until then.
export const streamsMethods = {};
export const streamsEvents = {};
