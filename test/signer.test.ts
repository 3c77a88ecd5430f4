import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalRequest,
  computeSignature,
  parseAuthorization,
  signRequest,
  stringToSign,
} from '../src/auth/signer.js';

const AK = 'AccessKey';
const SK = 'SecretKey';

function authHeader(signed: string[], signature: string): string {
  return `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
}

describe('SDK-HMAC-SHA256 signer (docs/upstream.md#authentication)', () => {
  it('vector 1: Go GET with an underscore header left unsigned', () => {
    const headers = { 'X-Sdk-Date': '20060102T150405Z', TEST_UNDERSCORE: 'TEST_VALUE' };
    const req = { method: 'GET', url: new URL('https://example.huaweicloud.com/path?limit=1'), headers };
    const canonical = canonicalRequest(req, ['x-sdk-date']);
    expect(canonical).toBe(
      'GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(stringToSign(canonical, '20060102T150405Z')).toBe(
      'SDK-HMAC-SHA256\n20060102T150405Z\n85c3b7730f308aee452b16138a42a914397e43a8f0d732dfa521c0ef2afa98a4',
    );
    const signature = computeSignature(canonical, '20060102T150405Z', SK);
    expect(authHeader(['x-sdk-date'], signature)).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });

  it('vector 2: Go POST with a JSON body ending in a newline', () => {
    const req = {
      method: 'POST',
      url: new URL('https://example.huaweicloud.com/path?key=value'),
      headers: { 'X-Sdk-Date': '20060102T150405Z', 'Content-Type': 'application/json' },
      body: '{"Name":"test","Id":1}\n',
    };
    const signature = computeSignature(canonicalRequest(req, ['x-sdk-date']), '20060102T150405Z', SK);
    expect(signature).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });

  it('vector 3: Python GET signing host', () => {
    const req = {
      method: 'GET',
      url: new URL('https://service.endpoint.myhuaweicloud.com/resources?size=1'),
      headers: { 'X-Sdk-Date': '20200608T023900Z', TEST_UNDERSCORE: 'x' },
    };
    const headers = signRequest(req, { ak: AK, sk: SK });
    expect(canonicalRequest(req, ['host', 'x-sdk-date'])).toBe(
      'GET\n/resources/\nsize=1\nhost:service.endpoint.myhuaweicloud.com\nx-sdk-date:20200608T023900Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(headers['Authorization']).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842',
    );
  });

  it('vector 4: Python POST with a body', () => {
    const req = {
      method: 'POST',
      url: new URL('https://service.endpoint.myhuaweicloud.com/resources?size=1'),
      headers: { 'X-Sdk-Date': '20200608T023900Z' },
      body: '{"name":"test","id":1}',
    };
    expect(signRequest(req, { ak: AK, sk: SK })['Authorization']).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f',
    );
  });

  it('canonical-query vector (Go and Python tests)', () => {
    const params = new URLSearchParams();
    params.append('limit', '1');
    params.append('enable', 'true');
    params.append('test', '一 (&=?!#%.*)');
    params.append('path', '/tmp/123');
    for (const v of ['3', '1', '2']) params.append('multi', v);
    expect(canonicalQuery(params)).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });

  it('vector 5: CPH batch with request_ids', () => {
    const req = {
      method: 'GET',
      url: new URL(
        'https://cph.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/cloud-phone/jobs?request_ids=6a63a18b8bab40ffb71ebd9cb80d0085,2676a3b4f7df49c297c6775989806d32&limit=10',
      ),
      headers: { 'X-Sdk-Date': '20240102T030405Z', 'X-Project-Id': '0123456789abcdef0123456789abcdef' },
    };
    const headers = signRequest(req, { ak: AK, sk: SK });
    const canonical = canonicalRequest(req, ['host', 'x-project-id', 'x-sdk-date']);
    expect(canonical.split('\n')[2]).toBe(
      'limit=10&request_ids=6a63a18b8bab40ffb71ebd9cb80d0085%2C2676a3b4f7df49c297c6775989806d32',
    );
    expect(stringToSign(canonical, '20240102T030405Z').split('\n')[2]).toBe(
      '6defded4dd8dcefd64dc0a2bb5254cc9fd9bedfa98283aee41f4af91e54efe59',
    );
    expect(parseAuthorization(headers['Authorization']!)).toEqual({
      ak: AK,
      signedHeaders: ['host', 'x-project-id', 'x-sdk-date'],
      signature: 'e856d15b4c0a8078d5362599e1e0750df264de962522e30d9c1e2efa54d85ab0',
    });
  });

  it('vector 6: Workspace job with an empty query', () => {
    const req = {
      method: 'GET',
      url: new URL(
        'https://workspace.cn-north-4.myhuaweicloud.com/v2/0123456789abcdef0123456789abcdef/workspace-jobs/2382dd96-1111-2222-3333-c4b09a35b58a',
      ),
      headers: { 'X-Sdk-Date': '20240102T030405Z', 'X-Project-Id': '0123456789abcdef0123456789abcdef' },
    };
    const headers = signRequest(req, { ak: AK, sk: SK });
    expect(canonicalRequest(req, ['host', 'x-project-id', 'x-sdk-date']).split('\n').slice(1, 3)).toEqual([
      '/v2/0123456789abcdef0123456789abcdef/workspace-jobs/2382dd96-1111-2222-3333-c4b09a35b58a/',
      '',
    ]);
    expect(headers['Authorization']).toMatch(
      /Signature=980d3f1f661c6c347daa02f038eee1ba68c0131df2e7c59c8f0b93f597a5cee3$/,
    );
  });

  it('rejects a malformed Authorization header', () => {
    expect(parseAuthorization('Bearer abc')).toBeNull();
    expect(parseAuthorization('SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=zz')).toBeNull();
  });
});
