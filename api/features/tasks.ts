// The tasks feature's part of the contract. Filled by its issue; empty until then.
export const tasksMethods = {};
export const tasksEvents = {};
