// A chat page as a React app writes it with the AI SDK's useChat, pointed at the `api` of its query
// string (default `/api/chat`). It shows every message's text, reasoning and tool parts, the hook's
// status and error, and counts finished requests in `data-finished` so a driver can wait for one.
import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, getToolName, isToolUIPart } from "ai";
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";

const transport = new DefaultChatTransport({ api: new URLSearchParams(location.search).get("api") ?? "/api/chat" });

function Part({ part }) {
  if (part.type === "text") return <p data-part="text">{part.text}</p>;
  if (part.type === "reasoning")
    return (
      <details data-part="reasoning" open>
        <summary>Thinking</summary>
        <p>{part.text}</p>
      </details>
    );
  if (isToolUIPart(part))
    return (
      <figure data-part="tool" data-tool={getToolName(part)} data-state={part.state}>
        <figcaption>{getToolName(part)}</figcaption>
        <pre data-input>{JSON.stringify(part.input)}</pre>
        {part.state === "output-available" && <pre data-output>{JSON.stringify(part.output)}</pre>}
      </figure>
    );
  return null;
}

function Chat() {
  const [finished, setFinished] = useState(0);
  const [input, setInput] = useState("");
  const { messages, sendMessage, status, error } = useChat({ transport, onFinish: () => setFinished((n) => n + 1) });
  const busy = status === "submitted" || status === "streaming";
  const send = (event) => {
    event.preventDefault();
    sendMessage({ text: input });
    setInput("");
  };
  return (
    <main data-status={status} data-finished={finished}>
      <ol>
        {messages.map((message) => (
          <li key={message.id} data-role={message.role}>
            {message.parts.map((part, index) => (
              <Part key={index} part={part} />
            ))}
          </li>
        ))}
      </ol>
      <p data-status-text>{status}</p>
      {error && <p role="alert">{error.message}</p>}
      <form onSubmit={send}>
        <input aria-label="Message" value={input} onChange={(event) => setInput(event.target.value)} />
        <button type="submit" disabled={busy || !input}>
          Send
        </button>
      </form>
    </main>
  );
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <Chat />
  </StrictMode>,
);
