// asl-validator ships no type declarations; this is the slice of its API Lifeguard uses.
declare module 'asl-validator' {
  interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  interface AslValidationError {
    message?: string;
    path?: string;
    [key: string]: unknown;
  }
  interface AslValidationResult {
    isValid: boolean;
    errors: AslValidationError[];
    errorsText(separator?: string): string;
  }
  /** Validates an Amazon States Language definition. Mutates it (adds QueryLanguage): pass a copy. */
  function aslValidator(definition: unknown, options?: AslValidatorOptions): AslValidationResult;
  export = aslValidator;
}
