import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanPage } from './rest-json.js';

const rowsOf = (text: string, collection = 'users') => {
  const page = scanPage(Buffer.from(text), collection);
  return page && Array.from({ length: page.length }, (_, i) => page.at(i));
};

describe('REST page scanning', () => {
  it('finds the collection among other keys and parses each row on its own', () => {
    const body = ' {"statusInfoSet": [{"imsx_codeMajor": "success"}], "users": [{"sourcedId": "u-1", "givenName": "A \\"Brace\\" }]{["}, {"sourcedId": "ü-2", "n": [1, {"x": null}]}],\n"x": true }\n';
    assert.deepEqual(rowsOf(body), [
      { sourcedId: 'u-1', givenName: 'A "Brace" }]{[' },
      { sourcedId: 'ü-2', n: [1, { x: null }] },
    ]);
    assert.deepEqual(rowsOf('{"users":[]}'), []);
  });

  it('keeps a malformed row apart: the page reads, the row is undefined', () => {
    assert.deepEqual(rowsOf('{"users":[{"sourcedId":"u-1"},{"sourcedId":}]}'), [{ sourcedId: 'u-1' }, undefined]);
    assert.deepEqual(rowsOf('{"users":[1, "two", null]}'), [1, 'two', null]);
  });

  it('refuses bodies that are not the collection', () => {
    for (const body of ['<html>Maintenance</html>', '', '{"orgs": []}', '{"users": {"sourcedId": "u-1"}}', '{"users": [{"sourcedId": "u-1"}', '{"users": []} trailing', '[{"users": []}]']) {
      assert.equal(scanPage(Buffer.from(body), 'users'), null, body);
    }
  });
});
