// The workers feature's part of the contract. Filled by its issue; empty until then.
export const workersMethods = {};
export const workersEvents = {};
