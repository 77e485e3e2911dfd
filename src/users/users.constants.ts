/** Injection token of the filled-in {@link UsersSettings}. */
export const USERS_SETTINGS = Symbol('users:settings');
