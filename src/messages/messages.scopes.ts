/** Grants reading the private-scoped message. */
export const READ_MESSAGES = 'read:messages';
