// How a browser app reads a streamed answer: WHATWG fetch, then response.body.getReader().
// `readAll` is self-contained so Playwright can run it inside a page as well as in Node.

export async function readAll(cases) {
  // A failed read's cause (undici: UND_ERR_SOCKET or ECONNRESET after a reset) is a race, so only fetch() failures name it.
  const describe = (error, withCause) => {
    const cause = withCause && error.cause ? ` (${error.cause.code || error.cause.message})` : "";
    return `${error.name}: ${error.message}${cause}`;
  };
  const read = async (test) => {
    const seen = { name: test.name };
    let response;
    try {
      response = await fetch(test.url, { method: "POST", headers: test.headers, body: test.body });
    } catch (error) {
      return { ...seen, fetchError: describe(error, true) };
    }
    Object.assign(seen, { status: response.status, ok: response.ok, bytes: 0 });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          seen.end = "done";
          break;
        }
        seen.bytes += value.length;
        text += decoder.decode(value, { stream: true });
      }
    } catch (error) {
      seen.end = describe(error, false);
    }
    seen.sawDone = text.includes("data: [DONE]");
    return seen;
  };
  const results = [];
  for (const test of cases) results.push(await read(test));
  return results;
}

export async function stdinJson() {
  let input = "";
  for await (const piece of process.stdin) input += piece;
  return JSON.parse(input);
}
