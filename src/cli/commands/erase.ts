import { operatorActor } from '../../accounts/policy.js';
import type { AppContext } from '../../context.js';
import { kindLabel } from '../../privacy/erasure/kinds.js';
import type { CertificateDetailViewT } from '../../privacy/erasure/erasure-view.js';
import { EXIT, UsageError, printJson } from '../output.js';

/** What `customer erase` and `users erase` are given. */
export interface EraseArgs {
  customer: string;
  user?: string;
  confirm?: string;
  json: boolean;
}

/** `lectern customer erase --customer CODE --confirm CODE`: erases the customer now and prints its certificate. */
export async function eraseCustomerCommand(ctx: AppContext, args: EraseArgs): Promise<number> {
  if (!args.confirm) throw new UsageError("customer erase needs --confirm with the customer's code: it deletes every record and file of the customer.");
  const customerId = await ctx.customers.resolveId(args.customer);
  return report(await ctx.erasure.eraseCustomer(operatorActor, customerId, { confirm: args.confirm }), args.json);
}

/** `lectern users erase --customer C --user ID --confirm ID`: erases one person now and prints the certificate. */
export async function erasePersonCommand(ctx: AppContext, args: EraseArgs): Promise<number> {
  if (!args.user || !args.confirm) throw new UsageError("users erase needs --user ID and --confirm with the same id (or the person's login).");
  const customerId = await ctx.customers.resolveId(args.customer);
  return report(await ctx.erasure.erasePerson(operatorActor, customerId, args.user, { confirm: args.confirm }), args.json);
}

function report(c: CertificateDetailViewT, json: boolean): number {
  if (json) {
    printJson(c);
    return EXIT.ok;
  }
  const who = c.personId ? `person ${c.personId} of ${c.customer.name} (${c.customer.code})` : `customer ${c.customer.name} (${c.customer.code})`;
  console.log(`Erased ${who}.`);
  for (const [kind, n] of Object.entries(c.counts.records)) console.log(`  ${kindLabel(kind)}: ${n}`);
  for (const [kind, n] of Object.entries(c.counts.anonymized)) console.log(`  ${kindLabel(kind)}: ${n}`);
  console.log(`  Files: ${c.counts.files.content} title files, ${c.counts.files.bundles} roster files; ${c.counts.secrets} sealed secrets`);
  console.log(`Certificate ${c.id}`);
  console.log(`Manifest SHA-256 ${c.manifestSha256}`);
  return EXIT.ok;
}
