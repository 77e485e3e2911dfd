import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MeController } from './me.controller.js';
import { UserProvisioningHook } from './user-provisioning.hook.js';
import { UsersDatabaseHealth } from './users-database.health.js';
import { UsersUnavailableFilter } from './users-unavailable.filter.js';
import { USERS_SETTINGS } from './users.constants.js';
import { UsersDatabase } from './users.database.js';
import { ConfigurableUsersModule, USERS_OPTIONS } from './users.module-definition.js';
import { usersSettings, type UsersOptions } from './users.options.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/**
 * Token principal -> stored user: provisioning on every authenticated request, `GET /api/me`, and
 * the database (PGlite by default, PostgreSQL with `databaseUrl`). Needs `AuthModule` imported globally.
 */
@Module({
  controllers: [MeController],
  providers: [
    {
      provide: USERS_SETTINGS,
      useFactory: (options: UsersOptions) => usersSettings(options),
      inject: [USERS_OPTIONS],
    },
    UsersDatabaseHealth,
    UsersDatabase,
    UsersRepository,
    UsersService,
    UserProvisioningHook,
    { provide: APP_FILTER, useClass: UsersUnavailableFilter },
  ],
  exports: [UsersService, UsersDatabaseHealth],
})
export class UsersModule extends ConfigurableUsersModule {}
