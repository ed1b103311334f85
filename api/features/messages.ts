// The messages feature's part of the contract. Filled by its issue; empty until then.
export const messagesMethods = {};
export const messagesEvents = {};
