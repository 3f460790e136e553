// Reads a UI message stream the way useChat does: the `ai` package's DefaultChatTransport posts the
// conversation, readUIMessageStream turns the parts into the assistant message.
// Usage: node ai_sdk_chat.mjs URL SCENARIO MESSAGES_JSON  → prints {message, error, chunks} as JSON
import { DefaultChatTransport, readUIMessageStream } from 'ai';

const [url, scenario, messagesJson] = process.argv.slice(2);
const transport = new DefaultChatTransport({ api: url, headers: { 'X-Mock-Scenario': scenario } });
const out = { message: null, error: null, chunks: [] };
try {
  const stream = await transport.sendMessages({
    chatId: 'chat-1',
    messages: JSON.parse(messagesJson),
    trigger: 'submit-message',
    messageId: undefined,
    abortSignal: undefined,
  });
  const [forReader, forLog] = stream.tee();
  const logged = (async () => {
    for await (const chunk of forLog) out.chunks.push(chunk);
  })();
  for await (const message of readUIMessageStream({ stream: forReader, terminateOnError: true })) out.message = message;
  await logged;
} catch (error) {
  out.error = { name: error.name, message: error.message, statusCode: error.statusCode ?? null };
}
console.log(JSON.stringify(out));
