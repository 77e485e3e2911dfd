import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Post,
} from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MAX_TOKEN_LENGTH, Public } from '../auth/index.js';
import {
  DevIssuerKeys,
  MIN_TOKEN_LIFETIME_SEC,
  TOKEN_LIFETIME_SEC,
  type DevTokenResponse,
} from './dev-issuer.keys.js';

/** The body of a token request: JSON or form-encoded, every field optional. */
interface TokenRequest {
  grant_type?: unknown;
  audience?: unknown;
  scope?: unknown;
  client_id?: unknown;
  client_secret?: unknown;
  expires_in?: unknown;
  resource?: unknown;
}

const TOKEN_REQUEST_FIELDS = new Set([
  'grant_type',
  'audience',
  'scope',
  'client_id',
  'client_secret',
  'expires_in',
  'resource',
]);

/**
 * RFC 8707 §2: the `resource` parameters of a token request (a form may repeat it; JSON may give
 * an array), or `undefined` when one is not an absolute URI without a fragment.
 */
function resourcesFrom(value: unknown): string[] | undefined {
  const values = value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value];
  const absolute = (v: unknown): v is string =>
    typeof v === 'string' && URL.canParse(v) && !v.includes('#');
  return values.every(absolute) ? values : undefined;
}

/** A requested lifetime: whole seconds from 10 s to 24 h, as a JSON number or a form field's digits. */
function lifetimeFrom(value: unknown): number | undefined {
  if (value === undefined) return TOKEN_LIFETIME_SEC;
  const seconds = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  return Number.isInteger(seconds) &&
    (seconds as number) >= MIN_TOKEN_LIFETIME_SEC &&
    (seconds as number) <= TOKEN_LIFETIME_SEC
    ? (seconds as number)
    : undefined;
}

/** RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`, space-separated. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * A development issuer served by the app itself when no issuer is configured: OpenID discovery,
 * its JWKS, and a token endpoint that answers like Auth0's client-credentials grant.
 */
@ApiTags('development issuer')
@Public()
@Controller()
export class DevIssuerController {
  constructor(private readonly keys: DevIssuerKeys) {}

  @Get('.well-known/openid-configuration')
  @ApiExcludeEndpoint()
  discovery(): Record<string, unknown> {
    return {
      issuer: this.keys.issuer,
      jwks_uri: new URL('.well-known/jwks.json', this.keys.issuer).href,
      token_endpoint: new URL('dev/oauth/token', this.keys.issuer).href,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  @Get('.well-known/jwks.json')
  @ApiExcludeEndpoint()
  jwks(): { keys: Record<string, unknown>[] } {
    return this.keys.jwks();
  }

  @Post('dev/oauth/token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A development access token (client-credentials grant, like Auth0)',
  })
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      properties: {
        grant_type: { type: 'string', enum: ['client_credentials'] },
        audience: { type: 'string', example: 'https://quickstarts/api' },
        scope: { type: 'string', example: 'read:messages' },
        resource: {
          type: 'string',
          description: 'RFC 8707 resource indicator; the token is issued for it (aud)',
        },
        expires_in: {
          type: 'integer',
          minimum: MIN_TOKEN_LIFETIME_SEC,
          maximum: TOKEN_LIFETIME_SEC,
          default: TOKEN_LIFETIME_SEC,
        },
      },
    },
  })
  token(@Body() body: TokenRequest | undefined): DevTokenResponse {
    // JSON sent without its content-type arrives as one odd form field; say so rather than drop the scope.
    const unknown = Object.keys(body ?? {}).filter((key) => !TOKEN_REQUEST_FIELDS.has(key));
    if (unknown.length > 0) {
      throw new BadRequestException({
        error: 'invalid_request',
        error_description:
          'unknown request fields; send JSON with "content-type: application/json", or form fields grant_type, audience, resource, scope, expires_in',
      });
    }
    const { grant_type: grantType, audience, scope, expires_in: expiresIn, resource } = body ?? {};
    if (grantType !== undefined && grantType !== 'client_credentials') {
      throw new BadRequestException({
        error: 'unsupported_grant_type',
        error_description: 'the development issuer supports only grant_type=client_credentials',
      });
    }
    if (
      audience !== undefined &&
      !(typeof audience === 'string' && this.keys.audiences.includes(audience))
    ) {
      throw new ForbiddenException({
        error: 'access_denied',
        error_description: `unknown audience; this API accepts ${this.keys.audiences.join(', ')}`,
      });
    }
    if (
      scope !== undefined &&
      !(typeof scope === 'string' && (scope === '' || SCOPE.test(scope)))
    ) {
      throw new BadRequestException({
        error: 'invalid_scope',
        error_description: 'scope must be space-separated scope tokens, like "read:messages"',
      });
    }
    // RFC 8707 §2: a resource that is malformed or not served here is refused with invalid_target.
    const resources = resourcesFrom(resource);
    if (resources === undefined || resources.some((r) => r !== this.keys.resource)) {
      throw new BadRequestException({
        error: 'invalid_target',
        error_description:
          this.keys.resource === undefined
            ? 'this development issuer serves no resource identifier; leave resource out'
            : `unknown resource; this development issuer serves ${this.keys.resource}`,
      });
    }
    const lifetimeSec = lifetimeFrom(expiresIn);
    if (lifetimeSec === undefined) {
      throw new BadRequestException({
        error: 'invalid_request',
        error_description: `expires_in must be a whole number of seconds from ${MIN_TOKEN_LIFETIME_SEC} to ${TOKEN_LIFETIME_SEC}`,
      });
    }
    // With resource, the token is for that resource (and the audience too, when one was asked for).
    const audiences = [...new Set([...(audience === undefined ? [] : [audience]), ...resources])];
    const issued = this.keys.issue(
      audiences.length === 0
        ? this.keys.audiences[0]!
        : audiences.length === 1
          ? audiences[0]!
          : audiences,
      (scope as string | undefined) ?? '',
      lifetimeSec,
    );
    // A token the API would refuse (401 invalid_request) is refused here, where the cause is known.
    const length = issued.access_token.length;
    if (length > MAX_TOKEN_LENGTH) {
      throw new BadRequestException({
        error: 'invalid_request',
        error_description: `the token would be ${length} characters, over the ${MAX_TOKEN_LENGTH} this API accepts; ask for fewer or shorter scopes`,
      });
    }
    return issued;
  }
}
