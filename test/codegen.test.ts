import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';

describe('npm run codegen', () => {
  it('committed src/generated/ matches schema/ (run `npm run codegen` after editing the SDL)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: 'codegen.yml' });
    // generate(..., false) returns the outputs without writing them.
    const outputs = (await generate({ ...config, silent: true }, false)) as Array<{ filename: string; content: string }>;
    for (const file of ['src/generated/graphql.ts', 'src/generated/possible-types.json']) {
      const generated = outputs.find((o) => o.filename.endsWith(file));
      expect(generated, file).toBeDefined();
      expect(readFileSync(file, 'utf8'), file).toBe(generated!.content);
    }
  }, 60_000);

  it('possible types list every implementation of Job and SubJob and every member of Entity', () => {
    const { possibleTypes } = JSON.parse(readFileSync('src/generated/possible-types.json', 'utf8')) as { possibleTypes: Record<string, string[]> };
    expect(possibleTypes).toEqual({
      Job: ['AppStreamingJob', 'CloudPhoneJob', 'GaussDBJob', 'WorkspaceJob'],
      SubJob: ['AppStreamingSubJob', 'WorkspaceSubJob'],
      Entity: ['AppServer', 'CloudPhone', 'CloudPhoneServer', 'DatabaseInstance', 'Desktop'],
    });
  });
});
