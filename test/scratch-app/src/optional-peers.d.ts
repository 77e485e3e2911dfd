// @nestjs/graphql and @nestjs/mercurius name, in their declarations, types of optional peers this
// service does not install: ts-morph (schema-first type generation) and @mercuriusjs/gateway
// (federation gateway). With skipLibCheck off (so the auth package's own declarations are checked),
// those names must exist: declared here, opaque; the rest of every .d.ts is still checked.
declare module 'ts-morph' {
  export type ClassDeclarationStructure = unknown;
  export type EnumDeclarationStructure = unknown;
  export type InterfaceDeclarationStructure = unknown;
  export type MethodDeclarationStructure = unknown;
  export type MethodSignatureStructure = unknown;
  export type OptionalKind<T> = T;
  export type ParameterDeclarationStructure = unknown;
  export type PropertyDeclarationStructure = unknown;
  export type PropertySignatureStructure = unknown;
  export type SourceFile = unknown;
  export type TypeAliasDeclarationStructure = unknown;
}

declare module '@mercuriusjs/gateway' {
  export type MercuriusGatewayOptions = unknown;
}
