import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { DefinitionReference, PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

/**
 * CloudFormation's own resource model: @aws-cdk/aws-service-spec (Apache-2.0) ships it as a gzipped
 * JSON database generated from the CloudFormation registry schemas. Test-only: nothing under
 * functions/ or lib/ imports it, so no Lambda bundle carries it.
 */

export type { PropertyType, Resource, TypeDefinition };

let database: SpecDatabase | undefined;

/** Loaded once per process (about a second): every check in a test file shares it. */
function model(): SpecDatabase {
  return (database ??= loadAwsServiceSpecSync());
}

/** The model of one resource type (`AWS::SQS::Queue`), or undefined when CloudFormation has none. */
export function resourceModel(type: string): Resource | undefined {
  return model().lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

/** The nested type a `ref` property type points at (e.g. AWS::Lambda::Function's Environment). */
export function typeDefinition(type: DefinitionReference): TypeDefinition {
  return model().get('typeDefinition', type.reference);
}

/** Every ARN format the model gives (its `arnTemplate`s), by service prefix (`sqs`, `scheduler`). */
export function modelArnFormats(): Map<string, string[]> {
  const byService = new Map<string, string[]>();
  for (const resource of model().all('resource')) {
    const format = resource.arnTemplate;
    if (!format) continue;
    const service = format.split(':')[2]!;
    byService.set(service, [...(byService.get(service) ?? []), format]);
  }
  return byService;
}
