import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NAMESPACES, SERVICE_ACCOUNTS, isNotFound, type RestClient } from '../../client/index.js';
import { eventually, startTestServer, type TestServer } from '../../client/testing/server.js';
import { runControllers, type RunningControllers } from '../testing.js';
import { missingServiceAccounts } from './reconcile.js';
import { newServiceAccountController } from './controller.js';

describe('missingServiceAccounts', () => {
  const active = { metadata: { name: 'a' }, status: { phase: 'Active' } };
  it('wants default in an active namespace without it', () => {
    assert.deepEqual(missingServiceAccounts(active, []), ['default']);
    assert.deepEqual(missingServiceAccounts(active, ['other', 'default']), []);
  });
  it('wants nothing in a terminating or missing namespace', () => {
    assert.deepEqual(missingServiceAccounts({ metadata: { name: 'a' }, status: { phase: 'Terminating' } }, []), []);
    assert.deepEqual(missingServiceAccounts({ metadata: { name: 'a', deletionTimestamp: '2024-01-01T00:00:00Z' } }, []), []);
    assert.deepEqual(missingServiceAccounts(undefined, []), []);
  });
});

describe('serviceaccount controller', () => {
  let server: TestServer;
  let running: RunningControllers;
  let client: RestClient;
  before(async () => {
    server = await startTestServer();
    running = await runControllers(server.kubeconfig, [newServiceAccountController()]);
    client = running.client;
  });
  after(async () => {
    await running?.stop();
    await server?.stop();
  });

  const hasDefault = async (ns: string) => {
    try {
      await client.resource(SERVICE_ACCOUNTS).get(ns, 'default');
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  };

  it('gives existing and new namespaces a default ServiceAccount, and recreates it', async () => {
    await eventually(() => hasDefault('default'), 10_000, 'default/default');
    await eventually(() => hasDefault('kube-system'), 10_000, 'kube-system/default');
    await client.resource(NAMESPACES).create(undefined, { metadata: { name: 'fresh' } });
    await eventually(() => hasDefault('fresh'), 10_000, 'fresh/default');
    await client.resource(SERVICE_ACCOUNTS).delete('fresh', 'default');
    await eventually(() => hasDefault('fresh'), 10_000, 'fresh/default recreated');
  });

  it('does not create one in a terminating namespace', async () => {
    await client.resource(NAMESPACES).create(undefined, { metadata: { name: 'ending' } });
    await eventually(() => hasDefault('ending'), 10_000, 'ending/default');
    await client.resource(NAMESPACES).delete(undefined, 'ending');
    // Nothing finalizes it here (no namespace controller): delete the account and see it stay gone.
    await client.resource(SERVICE_ACCOUNTS).delete('ending', 'default');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await hasDefault('ending'), false);
  });
});
