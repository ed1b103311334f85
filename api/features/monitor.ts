// The monitor feature's part of the contract. Filled by its issue; empty until then.
export const monitorMethods = {};
export const monitorEvents = {};
