// A mini-program chat page's logic, written against `wx` so a test can hand it the simulator's.
// It streams an answer with wx.request({enableChunked: true}) from a backend that speaks the
// `success: {...}\r\n` / `event: error` / `0\r\n\r\n` framing, and reacts to business codes.

const RECHARGE_PAGE = "/pages/recharge/recharge";
const LOGIN_PAGE = "/pages/login/login";

/** The page: `data` is what it shows; `ask(question)` resolves once the answer has ended. */
export function createChatPage(wx, { url, header = {} }) {
  const data = { answer: "", loading: false, done: false };

  function onFrame(line) {
    if (line.startsWith("success: ")) data.answer += JSON.parse(line.slice(9)).content;
    else if (line.startsWith("data: ")) onCode(JSON.parse(line.slice(6)));
    else if (line === "0") data.done = true;
  }

  function onCode({ code, msg }) {
    if (code === -1) return wx.redirectTo({ url: LOGIN_PAGE });
    wx.showToast({ title: msg, icon: "none" });
    if (code === 101) wx.navigateTo({ url: RECHARGE_PAGE });
  }

  function ask(question) {
    data.loading = true;
    wx.showLoading({ title: "思考中" });
    const decoder = new TextDecoder("utf-8"); // one per answer, { stream: true }: a character cut between reads is kept
    let pending = "";
    return new Promise((resolve) => {
      const task = wx.request({
        url,
        method: "POST",
        header,
        data: { messages: [{ role: "user", content: question }] },
        enableChunked: true,
        responseType: "arraybuffer",
        complete: () => {
          data.loading = false;
          wx.hideLoading();
          resolve(data);
        },
      });
      task.onChunkReceived(({ data: bytes }) => {
        const lines = (pending + decoder.decode(new Uint8Array(bytes), { stream: true })).split(/\r?\n/);
        pending = lines.pop(); // a line not ended yet waits for the next read, however the reads were cut or merged
        lines.filter(Boolean).forEach(onFrame);
      });
    });
  }

  return { data, ask };
}
