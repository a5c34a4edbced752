import dns2 from "dns2";

const { Packet } = dns2;

/** An authoritative DNS server on loopback whose TXT records a test sets and clears. */
export interface TestDns {
  /** `127.0.0.1:<port>`, for the daemon's dnsResolver setting. */
  address: string;
  /** Publishes exactly these TXT records at `name` (each a list of strings joined by resolvers). */
  setTxt(name: string, records: readonly (string | readonly string[])[]): void;
  clear(name: string): void;
  /** Every name asked for, in order. */
  queries: string[];
  close(): Promise<void>;
}

export async function startTestDns(): Promise<TestDns> {
  const records = new Map<string, readonly (string | readonly string[])[]>();
  const queries: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = question?.name.toLowerCase() ?? "";
      queries.push(name);
      const found = records.get(name);
      if (!found) response.header.rcode = 3; // NXDOMAIN
      for (const data of found ?? []) {
        response.answers.push({
          name,
          type: Packet.TYPE.TXT,
          class: Packet.CLASS.IN,
          ttl: 0,
          data: typeof data === "string" ? data : [...data],
        } as never);
      }
      send(response);
    },
  });
  const { udp } = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  if (!udp) throw new Error("the test DNS server did not bind UDP");
  return {
    address: `127.0.0.1:${udp.port}`,
    setTxt: (name, values) => records.set(name.toLowerCase(), values),
    clear: (name) => records.delete(name.toLowerCase()),
    queries,
    close: () => server.close(),
  };
}
