// aws-local-stepfunctions uses Promise.withResolvers, which Node 20 lacks (Lambda's Node 22 has it).
import '../lib/util/polyfills.ts';
