/** Tags Lifeguard puts on a replacement EMR cluster; IAM conditions and lookups key on them. */
export const CLUSTER_TAG = 'lifeguard:cluster';
export const REPLACES_TAG = 'lifeguard:replaces';
/** On a warm standby (and the standby a failover starts to rearm): the configured cluster it stands by for. */
export const STANDBY_TAG = 'lifeguard:standby';
