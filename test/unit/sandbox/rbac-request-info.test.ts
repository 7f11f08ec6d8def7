import { describe, expect, it } from 'vitest';
import { requestAttributes } from '../../../sandbox/kube/rbac/request-info.ts';

/** A request's authorization attributes, as kube-apiserver's RequestInfoFactory derives them. */

const attributes = (method: string, url: string) => {
  const parsed = new URL(url, 'http://emulator.invalid');
  return requestAttributes(method, parsed.pathname, parsed.searchParams);
};

const resource = (verb: string, res: string, extra: Partial<{ apiGroup: string; apiVersion: string; namespace: string; subresource: string; name: string }> = {}) => ({
  resourceRequest: true,
  verb,
  apiGroup: '',
  apiVersion: 'v1',
  namespace: '',
  resource: res,
  subresource: '',
  name: '',
  ...extra,
});

describe('request attributes', () => {
  it.each([
    ['GET', '/api/v1/nodes/n1', resource('get', 'nodes', { name: 'n1' })],
    ['GET', '/api/v1/nodes?limit=500', resource('list', 'nodes')],
    ['PATCH', '/api/v1/nodes/n1', resource('patch', 'nodes', { name: 'n1' })],
    ['PUT', '/api/v1/nodes/n1/status', resource('update', 'nodes', { name: 'n1', subresource: 'status' })],
    ['DELETE', '/api/v1/nodes/n1', resource('delete', 'nodes', { name: 'n1' })],
    ['GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1', resource('list', 'pods')],
    ['GET', '/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dn1', resource('watch', 'pods')],
    ['GET', '/api/v1/pods?watch=1', resource('watch', 'pods')],
    // apimachinery's boolean: anything but absent, 0 or false (any case) is true; the Python client sends True.
    ['GET', '/api/v1/pods?watch=True', resource('watch', 'pods')],
    ['GET', '/api/v1/pods?watch=', resource('watch', 'pods')],
    ['GET', '/api/v1/pods?watch=FALSE', resource('list', 'pods')],
    ['GET', '/api/v1/pods?watch=0', resource('list', 'pods')],
    ['GET', '/api/v1/watch/namespaces/spark/pods', resource('watch', 'pods', { namespace: 'spark' })],
    ['GET', '/api/v1/namespaces/spark/pods/exec-1', resource('get', 'pods', { namespace: 'spark', name: 'exec-1' })],
    ['DELETE', '/api/v1/namespaces/spark/pods/exec-1', resource('delete', 'pods', { namespace: 'spark', name: 'exec-1' })],
    ['DELETE', '/api/v1/namespaces/spark/pods', resource('deletecollection', 'pods', { namespace: 'spark' })],
    ['POST', '/api/v1/namespaces/spark/pods/exec-1/eviction', resource('create', 'pods', { namespace: 'spark', name: 'exec-1', subresource: 'eviction' })],
    ['POST', '/apis/events.k8s.io/v1/namespaces/default/events', resource('create', 'events', { apiGroup: 'events.k8s.io', namespace: 'default' })],
    ['PATCH', '/apis/events.k8s.io/v1/namespaces/default/events/e.1', resource('patch', 'events', { apiGroup: 'events.k8s.io', namespace: 'default', name: 'e.1' })],
    ['GET', '/apis/apps/v1/namespaces/default/deployments/web/scale', resource('get', 'deployments', { apiGroup: 'apps', namespace: 'default', name: 'web', subresource: 'scale' })],
    // A namespace's own subresources are not resources in the namespace.
    ['PUT', '/api/v1/namespaces/spark/finalize', resource('update', 'namespaces', { namespace: 'spark', name: 'spark', subresource: 'finalize' })],
    ['GET', '/api/v1/namespaces/spark', resource('get', 'namespaces', { namespace: 'spark', name: 'spark' })],
    ['GET', '/api/v1/namespaces', resource('list', 'namespaces')],
    // A list or watch of exactly one name is authorized as that name.
    ['GET', '/api/v1/nodes?fieldSelector=metadata.name%3Dn1', resource('list', 'nodes', { name: 'n1' })],
    ['GET', '/api/v1/nodes?watch=true&fieldSelector=metadata.name%3D%3Dn1%2Cspec.unschedulable%3Dtrue', resource('watch', 'nodes', { name: 'n1' })],
    ['GET', '/api/v1/nodes?fieldSelector=metadata.name!%3Dn1', resource('list', 'nodes')],
    ['GET', '/api/v1/nodes?fieldSelector=metadata.name%3D..', resource('list', 'nodes')],
    ['GET', '/api/v1/proxy/nodes/n1/metrics', resource('proxy', 'nodes', { name: 'n1' })],
  ])('%s %s', (method, url, expected) => {
    expect(attributes(method, url)).toEqual(expected);
  });

  it.each([
    ['GET', '/version'],
    ['GET', '/api'],
    ['GET', '/api/v1'],
    ['GET', '/apis'],
    ['GET', '/apis/events.k8s.io'],
    ['GET', '/apis/events.k8s.io/v1'],
    ['GET', '/openapi/v2'],
    ['HEAD', '/healthz'],
    ['POST', '/logs/x'],
  ])('%s %s is a non-resource request', (method, path) => {
    expect(attributes(method, path)).toEqual({ resourceRequest: false, verb: method.toLowerCase(), path });
  });

  it('judges the decoded path, as Go reads URL.Path', () => {
    expect(attributes('GET', '/api/v1/namespaces/a%2Db/pods/x')).toMatchObject({ namespace: 'a-b', name: 'x' });
    expect(attributes('GET', '/ver%73ion')).toEqual({ resourceRequest: false, verb: 'get', path: '/version' });
  });

  it('reads ?watch= as apimachinery converts a boolean: only absent, 0 and false (any case) list', () => {
    const verb = (value?: string) => attributes('GET', `/api/v1/pods${value === undefined ? '' : `?watch=${value}`}`).verb;
    expect([undefined, '0', 'false', 'False', 'true', 'True', '1', '', 'yes'].map(verb)).toEqual(['list', 'list', 'list', 'list', 'watch', 'watch', 'watch', 'watch', 'watch']);
  });
});
