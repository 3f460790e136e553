// The chat: sends the whole conversation to an OpenAI-compatible API and shows the answer as it streams in.
const { openaiBaseUrl } = await (await fetch("/config.json")).json();
const form = document.querySelector("#ask");
const conversation = document.querySelector("#conversation");
const notice = document.querySelector("#notice");
const messages = [];
form.message.disabled = false; // the page starts with it disabled: no question before the config is here

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const content = form.message.value;
  form.reset();
  form.message.disabled = true; // one question at a time: the next one sends this answer along
  notice.textContent = "";
  show("question", content);
  const answer = await ask([...messages, { role: "user", content }]);
  if (answer !== null) messages.push({ role: "user", content }, { role: "assistant", content: answer });
  form.message.disabled = false;
  form.message.focus();
});

/** Stream the answer to `history` into a new item; null (and a notice) when there is none. */
async function ask(history) {
  try {
    const response = await fetch(`${openaiBaseUrl}/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: history, stream: true }),
    });
    if (response.status === 429) return fail("The model is busy right now: try again in a moment.");
    if (!response.ok) return fail(`The model answered ${response.status}.`);
    const item = show("answer", "");
    for await (const text of deltas(response.body)) item.textContent += text;
    return item.textContent;
  } catch (error) {
    return fail(`No answer: ${error.message}`);
  }
}

/** The text deltas of an OpenAI chat completions event stream (`data: {...}` events, then `data: [DONE]`). */
async function* deltas(body) {
  let buffer = "";
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk.replaceAll("\r\n", "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n").filter((l) => l.startsWith("data:"))) {
        const data = line.slice(5).trim();
        if (data === "[DONE]") return;
        const text = JSON.parse(data).choices[0]?.delta?.content;
        if (text) yield text;
      }
    }
  }
}

function show(kind, text) {
  const item = document.createElement("li");
  item.dataset.testid = kind;
  item.textContent = text;
  conversation.append(item);
  return item;
}

function fail(message) {
  notice.textContent = message;
  return null;
}
