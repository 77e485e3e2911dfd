import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, Scopes, type Principal } from '@nest-oauth2-resource-server/auth';

@ObjectType()
export class Orders {
  @Field(() => String)
  for!: string;

  @Field(() => [String])
  ids!: string[];
}

/** Guarded by `protectAllRoutes` alone: no `@UseGuards` needed. */
@Resolver()
export class OrdersResolver {
  @Query(() => Orders)
  @Scopes('orders:read')
  orders(@CurrentUser() user: Principal): Orders {
    return { for: user.sub, ids: [] };
  }
}
