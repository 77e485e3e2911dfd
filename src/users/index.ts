export { UsersModule } from './users.module.js';
export { USERS_OPTIONS } from './users.module-definition.js';
export type { UsersOptions } from './users.options.js';
export { UsersService } from './users.service.js';
export { UsersDatabaseHealth, type DatabaseState } from './users-database.health.js';
export { DatabaseStartupError, UsersUnavailableError } from './users.errors.js';
export type { StoredUser } from './users.schema.js';
export type { MeResponse } from './me.controller.js';
