/** Tags Lifeguard puts on a replacement EMR cluster; IAM conditions and lookups key on them. */
export const CLUSTER_TAG = 'lifeguard:cluster';
export const STANDBY_TAG = 'lifeguard:standby';
export const REPLACES_TAG = 'lifeguard:replaces';
