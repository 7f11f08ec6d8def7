import { defineConfig } from 'vitest/config';

// The suite that runs against a real Kubernetes cluster (KUBECONFIG): `npm run test:cluster`.
// Its files end in `.cluster.ts`, not `.test.ts`, so the default suite (vitest.config.ts) never
// picks them up. Real pods start, shut down and get evicted in real time: hence the long timeouts.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // One cluster, one node under test: never run two of these files at once.
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
