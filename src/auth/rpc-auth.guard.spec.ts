import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { MICROSERVICE_PATTERN_METADATA } from './rpc-auth.guard.js';

describe('MICROSERVICE_PATTERN_METADATA', () => {
  it("is the key @nestjs/microservices' pattern decorators write (else message handlers would stay unbound)", () => {
    expect(MICROSERVICE_PATTERN_METADATA).toBe(PATTERN_METADATA);
  });
});
