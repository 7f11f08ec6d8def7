import type { RequestHandler } from './switchable-server.ts';
import { sendJson, sendText } from './switchable-server.ts';

export type NameNodeHealth = 'active' | 'standby' | 'safemode' | 'down' | 'hang';

export interface NameNodeFacts {
  host: string;
  rpcPort: number;
  startedOn: number;
}

const SAFE_MODE_TEXT =
  'Safe mode is ON. The reported blocks 1180 needs additional 57 blocks to reach the threshold 0.9990 of total blocks 1238.\n' +
  'The minimum number of live datanodes is not required. Safe mode will be turned off automatically once the thresholds have been reached.';

/**
 * The NameNode's `/jmx` servlet: `?qry=ObjectName` (whole beans) and `?get=ObjectName::Attribute`
 * (one attribute), answering `{"beans": [...]}` — empty when nothing matches.
 */
export function nameNodeHandler(health: () => NameNodeHealth, facts: NameNodeFacts): RequestHandler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://namenode');
    if (req.method !== 'GET') return sendText(res, 405, 'HTTP 405 Method Not Allowed');
    if (url.pathname !== '/jmx') return sendText(res, 404, 'Not Found');
    const beans = allBeans(health(), facts);
    const get = url.searchParams.get('get');
    if (get) {
      const [name, attribute] = get.split('::');
      const bean = beans.find((b) => b.name === name);
      if (!bean || !attribute || !(attribute in bean)) return sendJson(res, 200, { beans: [] });
      return sendJson(res, 200, { beans: [{ name: bean.name, modelerType: bean.modelerType, [attribute]: bean[attribute] }] });
    }
    const qry = url.searchParams.get('qry');
    sendJson(res, 200, { beans: qry ? beans.filter((b) => b.name === qry) : beans });
  };
}

function allBeans(mode: NameNodeHealth, facts: NameNodeFacts): Array<Record<string, unknown> & { name: string; modelerType: string }> {
  const state = mode === 'standby' ? 'standby' : 'active';
  const safeMode = mode === 'safemode';
  return [
    {
      name: 'Hadoop:service=NameNode,name=NameNodeStatus',
      modelerType: 'org.apache.hadoop.hdfs.server.namenode.NameNode',
      NNRole: 'NameNode',
      HostAndPort: `${facts.host}:${facts.rpcPort}`,
      SecurityEnabled: false,
      LastHATransitionTime: 0,
      BytesWithFutureGenerationStamps: 0,
      SlowPeersReport: null,
      SlowDisksReport: null,
      State: state,
    },
    {
      name: 'Hadoop:service=NameNode,name=NameNodeInfo',
      modelerType: 'org.apache.hadoop.hdfs.server.namenode.FSNamesystem',
      Total: 2_199_023_255_552,
      Version: '3.3.6-amzn-3, r0000000000000000000000000000000000000000',
      Used: 48_318_382_080,
      Free: 2_061_584_302_080,
      Safemode: safeMode ? SAFE_MODE_TEXT : '',
      NonDfsUsedSpace: 89_120_571_392,
      PercentUsed: 2.197266,
      Threads: 61,
      ClusterId: 'CID-5e2a6d1b-3c7f-4a9e-8b10-2f4d6c8e0a11',
      NNStartedTimeInMillis: facts.startedOn,
      LiveNodes: '{}',
      DeadNodes: '{}',
      DecomNodes: '{}',
    },
    {
      name: 'Hadoop:service=NameNode,name=FSNamesystemState',
      modelerType: 'org.apache.hadoop.hdfs.server.namenode.FSNamesystem',
      FSState: safeMode ? 'safeMode' : 'Operational',
      BlocksTotal: 1238,
      NumLiveDataNodes: 3,
      NumDeadDataNodes: 0,
    },
  ];
}
