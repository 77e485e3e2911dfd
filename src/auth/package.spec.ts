import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

// src/auth/package.json is the manifest of the package `npm run pack:auth` builds from this folder.
const authDir = path.resolve('src/auth');
const manifest = readJson(path.join(authDir, 'package.json'));
const root = readJson('package.json');

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function readJson(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** Every .ts file the package ships (specs are not built into it). */
function packageSources(dir = authDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return packageSources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [file] : [];
  });
}

/** Static imports, re-exports, `import type` and dynamic `import()` of one file. */
function importsOf(file: string): string[] {
  return ts
    .preProcessFile(readFileSync(file, 'utf8'), true, true)
    .importedFiles.map((f) => f.fileName);
}

/** `@scope/name/sub/path.js` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

const imports = packageSources().flatMap((file) =>
  importsOf(file).map((specifier) => ({ file: path.relative(authDir, file), specifier })),
);
const bare = imports.filter(({ specifier }) => !specifier.startsWith('.') && !isBuiltin(specifier));
const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
const optionalPeers = Object.keys(manifest.peerDependenciesMeta ?? {}).filter(
  (name) => manifest.peerDependenciesMeta?.[name]?.optional,
);

describe('the AuthModule package manifest (src/auth/package.json)', () => {
  it('declares every package src/auth imports, as a dependency or a peer dependency', () => {
    const undeclared = bare.filter(({ specifier }) => !(packageName(specifier) in declared));
    expect(undeclared).toEqual([]);
  });

  it('has no relative import that leaves src/auth (the package would not contain its target)', () => {
    const escaping = imports.filter(({ file, specifier }) => {
      if (!specifier.startsWith('.')) return false;
      const target = path.resolve(authDir, path.dirname(file), specifier);
      return path.relative(authDir, target).startsWith('..');
    });
    expect(escaping).toEqual([]);
  });

  it('lists as dependencies only packages src/auth imports (or their type declarations)', () => {
    const used = new Set(bare.map(({ specifier }) => packageName(specifier)));
    const stale = Object.keys(manifest.dependencies ?? {}).filter(
      (name) => !used.has(name) && !used.has(name.replace(/^@types\/(.*)$/, '$1')),
    );
    expect(stale).toEqual([]);
  });

  it('keeps the root package.json ranges for every dependency and required peer', () => {
    const rootRanges = { ...root.devDependencies, ...root.dependencies };
    const required = Object.entries(declared).filter(([name]) => !optionalPeers.includes(name));
    const differing = required
      .filter(([name, range]) => rootRanges[name] !== range)
      .map(
        ([name, range]) => `${name}: ${range} here, ${rootRanges[name] ?? 'absent'} in the root`,
      );
    expect(differing).toEqual([]);
  });

  it('asks for the major versions of the optional integrations the root installs', () => {
    const rootRanges = { ...root.devDependencies, ...root.dependencies };
    const major = (range: string | undefined) => /\d+/.exec(range ?? '')?.[0];
    const differing = optionalPeers.filter(
      (name) => name in rootRanges && major(rootRanges[name]) !== major(declared[name]),
    );
    expect(differing).toEqual([]);
  });

  it('makes Nest, rxjs and reflect-metadata peers, so the app and the package share one copy', () => {
    const peers = [
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/passport',
      'reflect-metadata',
      'rxjs',
    ];
    expect(peers.filter((name) => !(name in (manifest.peerDependencies ?? {})))).toEqual([]);
    expect(peers.filter((name) => name in (manifest.dependencies ?? {}))).toEqual([]);
  });

  it('keeps the testing kit free of test frameworks', () => {
    const frameworks = bare.filter(
      ({ file, specifier }) =>
        file.startsWith('testing') &&
        /^(jest|@jest\/|@nestjs\/testing|vitest|mocha)/.test(specifier),
    );
    expect(frameworks).toEqual([]);
  });
});
