import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { EndpointResolver, defaultEndpoint } from '../src/upstream/endpoints.js';

describe('endpoint resolution (docs/upstream.md#endpoints)', () => {
  it('uses the documented host pattern per service', () => {
    expect(defaultEndpoint('WORKSPACE', 'cn-north-4')).toBe('https://workspace.cn-north-4.myhuaweicloud.com');
    expect(defaultEndpoint('CLOUD_PHONE', 'cn-east-2')).toBe('https://cph.cn-east-2.myhuaweicloud.com');
  });

  it('splits App Streaming between the mainland appstream host and the Workspace host elsewhere', () => {
    expect(defaultEndpoint('APP_STREAMING', 'cn-north-4')).toBe('https://appstream.cn-north-4.myhuaweicloud.com');
    expect(defaultEndpoint('APP_STREAMING', 'ap-southeast-1')).toBe(
      'https://workspace.ap-southeast-1.myhuaweicloud.com',
    );
    expect(defaultEndpoint('APP_STREAMING', 'eu-west-101')).toBeNull();
  });

  it('knows the three GaussDB(for MySQL) host names', () => {
    expect(defaultEndpoint('GAUSSDB_MYSQL', 'cn-north-4')).toBe('https://gaussdb.cn-north-4.myhuaweicloud.com');
    expect(defaultEndpoint('GAUSSDB_MYSQL', 'ap-southeast-1')).toBe(
      'https://gaussdbformysql.ap-southeast-1.myhuaweicloud.com',
    );
    expect(defaultEndpoint('GAUSSDB_MYSQL', 'af-south-1')).toBe('https://gaussdb-mysql.af-south-1.myhuaweicloud.com');
  });

  it('prefers an override, including for a region the SDK does not know', () => {
    const resolver = new EndpointResolver(
      new Map([
        ['CPH/cn-north-4', ['http://127.0.0.1:8443', 'http://127.0.0.1:8444']],
        ['WORKSPACE/xx-new-1', ['http://127.0.0.1:9000']],
      ]),
    );
    expect(resolver.resolve('CLOUD_PHONE', 'cn-north-4')).toEqual(['http://127.0.0.1:8443', 'http://127.0.0.1:8444']);
    expect(resolver.resolve('WORKSPACE', 'xx-new-1')).toEqual(['http://127.0.0.1:9000']);
    expect(resolver.resolve('WORKSPACE', 'cn-north-4')).toEqual(['https://workspace.cn-north-4.myhuaweicloud.com']);
  });

  it('rejects an unknown region without an override as BAD_USER_INPUT', () => {
    const resolver = new EndpointResolver(new Map());
    try {
      resolver.resolve('CLOUD_PHONE', 'eu-west-101');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GraphQLError);
      expect((err as GraphQLError).extensions['code']).toBe('BAD_USER_INPUT');
      expect((err as GraphQLError).message).toContain('HUAWEICLOUD_SDK_REGION_CPH_EU_WEST_101');
    }
  });

  it('sends every known region to the simulator in simulator mode', () => {
    const resolver = new EndpointResolver(new Map(), 'http://127.0.0.1:4010');
    expect(resolver.resolve('GAUSSDB_MYSQL', 'me-east-1')).toEqual(['http://127.0.0.1:4010']);
    expect(() => resolver.resolve('WORKSPACE', 'zz-nowhere-9')).toThrow(GraphQLError);
  });
});
