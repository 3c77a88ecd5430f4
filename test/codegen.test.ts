import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';

describe('npm run codegen', () => {
  it('committed src/generated/graphql.ts matches schema/ (run `npm run codegen` after editing the SDL)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: 'codegen.yml' });
    // generate(..., false) returns the outputs without writing them.
    const outputs = (await generate({ ...config, silent: true }, false)) as Array<{ filename: string; content: string }>;
    const generated = outputs.find((o) => o.filename.endsWith('src/generated/graphql.ts'));
    expect(generated).toBeDefined();
    expect(readFileSync('src/generated/graphql.ts', 'utf8')).toBe(generated!.content);
  }, 60_000);
});
