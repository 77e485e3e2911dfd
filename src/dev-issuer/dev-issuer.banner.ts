/** The start-up banner of development mode: what is running and the curl lines that try it. */
export function devIssuerBanner(baseUrl: string, { docsEnabled = false } = {}): string {
  const token = (scope: string) =>
    `curl -s -X POST ${baseUrl}/dev/oauth/token -H 'content-type: application/json' -d '{"scope":"${scope}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;
  return [
    'DEVELOPMENT MODE: no AUTH_ISSUER_URL is set, so this app is its own issuer, with a signing key kept under DATA_DIR (./data).',
    'Never use it in production (NODE_ENV=production refuses to start without AUTH_ISSUER_URL). Try it:',
    '',
    `  curl -i ${baseUrl}/api/public                                      # 200`,
    `  curl -i ${baseUrl}/api/private                                     # 401: no token`,
    `  TOKEN=$(${token('')})`,
    `  curl -i ${baseUrl}/api/private-scoped -H "Authorization: Bearer $TOKEN"   # 403: no read:messages`,
    `  TOKEN=$(${token('read:messages')})`,
    `  curl -i ${baseUrl}/api/private-scoped -H "Authorization: Bearer $TOKEN"   # 200`,
    '',
    'Or print a token with: npm run -s token -- --scope read:messages',
    ...(docsEnabled
      ? [`Interactive API docs (Authorize, then "Try it out"): ${baseUrl}/docs`]
      : []),
    '',
    'To use Auth0 instead, set AUTH_ISSUER_URL and AUTH_AUDIENCE (see README.md).',
  ].join('\n');
}
