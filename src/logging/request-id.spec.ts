import { requestIdFrom } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it.each(['abc-123', '01HZX3K4Q7R8', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'a.b:c_d'])(
    'keeps a well-formed incoming id: %s',
    (id) => expect(requestIdFrom(id)).toBe(id),
  );

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['with a space', 'a b'],
    ['with a quote', 'a"b'],
    ['with a newline', 'a\nb'],
    ['longer than 128 characters', 'a'.repeat(129)],
    ['100 KB', 'x'.repeat(100_000)],
    ['repeated', ['a', 'b']],
  ])('generates a UUID when the incoming id is %s', (_, header) => {
    expect(requestIdFrom(header)).toMatch(UUID);
  });
});
