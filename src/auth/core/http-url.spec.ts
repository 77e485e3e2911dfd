import { keySourceProblem } from './http-url.js';

const REMOTE_ISSUER = new URL('https://tenant.auth0.com/');
const LOCAL_ISSUER = new URL('http://127.0.0.1:4000/');

describe('keySourceProblem', () => {
  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://169.254.1.1/jwks.json',
    'https://2852039166/jwks.json', // 169.254.169.254 as one decimal number
    'https://0xa9fea9fe/jwks.json', // and in hex
    'https://[fe80::1]/jwks.json',
    'https://[febf:ffff::1]/jwks.json',
    'https://[fd00:ec2::254]/jwks.json',
    'https://[::ffff:169.254.169.254]/jwks.json',
    'https://metadata.google.internal/computeMetadata/v1/',
  ])('refuses %s as link-local or metadata, whatever the issuer', (url) => {
    for (const issuer of [REMOTE_ISSUER, LOCAL_ISSUER]) {
      expect(keySourceProblem(new URL(url), issuer)).toBe(
        'is a link-local or cloud metadata address',
      );
    }
  });

  it.each([
    'http://127.0.0.1:4000/jwks.json',
    'https://localhost/jwks.json',
    'https://127.1.2.3/jwks.json',
    'https://[::1]/jwks.json',
    'https://0.0.0.0/jwks.json',
    'https://[::]/jwks.json',
  ])('refuses %s for an issuer elsewhere, and accepts it for an issuer on this machine', (url) => {
    expect(keySourceProblem(new URL(url), REMOTE_ISSUER)).toBe(
      'is on this machine, which only an issuer on this machine may use',
    );
    expect(keySourceProblem(new URL(url), LOCAL_ISSUER)).toBeUndefined();
  });

  it.each([
    'https://tenant.auth0.com/.well-known/jwks.json',
    'https://keys.example.com/jwks.json',
    'https://169.255.0.1/jwks.json',
    'https://[fec0::1]/jwks.json',
    'https://[fd00:ec2::253]/jwks.json',
  ])('accepts %s for an issuer elsewhere', (url) => {
    expect(keySourceProblem(new URL(url), REMOTE_ISSUER)).toBeUndefined();
  });
});
