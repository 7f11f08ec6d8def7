/**
 * EC2 resource ids: a prefix, a hyphen and 8 or 17 lowercase hex digits. AWS's "Resource IDs" page
 * (EC2 User Guide): ids created before January 2016 have 8 characters after the hyphen, later ones
 * 17 (e.g. i-1234567890abcdef0); no id has a length in between.
 */
export const awsIdPattern = (prefix: string): RegExp => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);

/** How a configuration error describes one: `a subnet id (subnet- and 8 or 17 lowercase hex digits, e.g. subnet-0abc1234)`. */
export const awsIdFormat = (noun: string, prefix: string): string => `a ${noun} id (${prefix}- and 8 or 17 lowercase hex digits, e.g. ${prefix}-0abc1234)`;
