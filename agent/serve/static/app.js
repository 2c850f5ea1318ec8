// The chat page: one conversation per browser tab (sessionStorage keeps its id across reloads),
// answers streamed from /v1/chat/completions, the agent's steps read from each chunk's `moss`
// field by their `type`. Model output is untrusted: it only ever goes into textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const CID = "moss-agent.conversation";
const KEY = "moss-agent.key";
let model = null;
let controller = null;

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = localStorage.getItem(KEY);
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path) {
  const response = await fetch(path, { headers: headers() });
  if (response.status === 401) {
    $("keyform").hidden = false;
    throw new Error("this server needs its API key");
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}

function status(text) {
  $("status").textContent = text || "";
}

// -- drawing a turn ----------------------------------------------------------------------------

function newTurn(question) {
  const turn = el("div", "turn");
  turn.append(el("div", "question", question));
  $("transcript").append(turn);
  return turn;
}

function lastOf(turn, className) {
  const found = turn.getElementsByClassName(className);
  return found.length ? found[found.length - 1] : null;
}

function thoughtsBox(turn) {
  // A new box after each round of commands, so several rounds read in order.
  const box = lastOf(turn, "thoughts");
  if (box && !box.dataset.closed) return box;
  const fresh = el("div", "thoughts");
  turn.append(fresh);
  return fresh;
}

function addCalls(turn, calls) {
  const list = el("ul", "calls");
  for (const call of calls) {
    const item = el("li", "call pending");
    item.dataset.call = call.text;
    item.append(el("span", "call-text", call.text), el("span", "call-result"));
    list.append(item);
  }
  turn.append(list);
}

function setResult(item, body, error) {
  item.classList.remove("pending");
  if (error) item.classList.add("failed");
  item.querySelector(".call-result").textContent = body;
}

function replyBox(turn) {
  let box = lastOf(turn, "reply");
  if (!box) {
    box = el("div", "reply");
    turn.append(box);
  }
  return box;
}

function drawStoredTurn(stored) {
  const turn = newTurn(stored.question);
  if (stored.thoughts) thoughtsBox(turn).textContent = stored.thoughts;
  if (stored.calls.length) {
    addCalls(turn, stored.calls);
    const items = turn.querySelectorAll(".call");
    stored.calls.forEach((call, i) => {
      if (call.result !== null) setResult(items[i], call.result, call.error);
    });
  }
  replyBox(turn).textContent = stored.reply;
  if (stored.status !== "done") turn.append(el("div", "note", "(" + stored.status + ")"));
  if (stored.error) turn.append(el("div", "error", stored.error));
}

// -- one streamed turn -------------------------------------------------------------------------

function onMoss(turn, event) {
  switch (event.type) {
    case "queued":
      status(event.position === 1 ? "waiting: next in line" : "waiting: " + event.position + " in line");
      break;
    case "started":
    case "turn_started":
      status("thinking ...");
      break;
    case "token":
      if (event.segment === "thoughts") thoughtsBox(turn).textContent += event.text;
      break;
    case "thoughts_done":
      thoughtsBox(turn).textContent = event.text;
      break;
    case "commands_issued": {
      const box = lastOf(turn, "thoughts");
      if (box) box.dataset.closed = "1";
      if (event.calls.length) {
        addCalls(turn, event.calls);
        status("running " + event.calls.map((c) => c.tool).join(", ") + " ...");
      }
      break;
    }
    case "tool_result": {
      const lists = turn.getElementsByClassName("calls");
      const list = lists[lists.length - 1];
      const pending = list ? Array.from(list.querySelectorAll(".call.pending")) : [];
      const item = pending.find((i) => i.dataset.call === event.call.text) || pending[0];
      if (item) setResult(item, event.body, event.result.error);
      break;
    }
    case "warning":
      if (event.kind !== "request") turn.append(el("div", "note", event.message));
      break;
    case "error":
      turn.append(el("div", "error", event.message));
      break;
    case "turn_done":
      status("");
      break;
  }
}

async function readEvents(response, onData) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
      if (data && data !== "[DONE]") onData(JSON.parse(data));
    }
  }
}

async function ask(question) {
  const turn = newTurn(question);
  turn.scrollIntoView({ block: "end" });
  const body = { model, stream: true, messages: [{ role: "user", content: question }] };
  const cid = sessionStorage.getItem(CID);
  if (cid) body.conversation_id = Number(cid);
  controller = new AbortController();
  $("send").hidden = true;
  $("stop").hidden = false;
  status("sending ...");
  try {
    const response = await fetch("v1/chat/completions", {
      method: "POST", headers: headers(), body: JSON.stringify(body), signal: controller.signal,
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      if (response.status === 401) $("keyform").hidden = false;
      throw new Error(problem.error ? problem.error.message : response.status + " " + response.statusText);
    }
    await readEvents(response, (chunk) => {
      if (chunk.error) {
        turn.append(el("div", "error", chunk.error.message));
        return;
      }
      if (chunk.conversation_id && String(chunk.conversation_id) !== sessionStorage.getItem(CID)) {
        sessionStorage.setItem(CID, String(chunk.conversation_id));
      }
      if (chunk.moss) onMoss(turn, chunk.moss);
      const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
      if (delta && delta.content) {
        if (!replyBox(turn).textContent) status("answering ...");
        replyBox(turn).textContent += delta.content;
        turn.scrollIntoView({ block: "end" });
      }
    });
    status("");
  } catch (error) {
    if (error.name === "AbortError") {
      status("stopped");
    } else {
      turn.append(el("div", "error", error.message));
      status("");
    }
  } finally {
    controller = null;
    $("send").hidden = false;
    $("stop").hidden = true;
    loadList();
  }
}

// -- conversations -------------------------------------------------------------------------------

async function loadList() {
  try {
    const { data } = await api("api/conversations");
    const list = $("conversations");
    list.replaceChildren();
    const current = sessionStorage.getItem(CID);
    for (const c of data) {
      const item = el("li");
      if (String(c.id) === current) item.className = "current";
      const link = el("a", "", c.title || "(untitled)");
      link.href = "#" + c.id;
      link.title = c.title + " (" + c.turns + " turns)";
      link.dataset.id = c.id;
      link.addEventListener("click", (e) => {
        e.preventDefault();
        openConversation(c.id);
        $("sidebar").classList.remove("open");
      });
      item.append(link);
      list.append(item);
    }
  } catch (error) {
    status(error.message);
  }
}

async function openConversation(id) {
  sessionStorage.setItem(CID, String(id));
  $("transcript").replaceChildren();
  try {
    const conversation = await api("api/conversations/" + id);
    conversation.turns.forEach(drawStoredTurn);
    const last = $("transcript").lastElementChild;
    if (last) last.scrollIntoView({ block: "end" });
  } catch (error) {
    sessionStorage.removeItem(CID);
    status(error.message);
  }
  loadList();
}

function newChat() {
  sessionStorage.removeItem(CID);
  $("transcript").replaceChildren();
  status("");
  loadList();
  $("question").focus();
}

async function start() {
  try {
    const models = await api("v1/models");
    model = models.data[0].id;
    $("model").textContent = model;
    $("keyform").hidden = true;
  } catch (error) {
    status(error.message);
    return;
  }
  const cid = sessionStorage.getItem(CID);
  if (cid) await openConversation(cid);
  else loadList();
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask").addEventListener("submit", (e) => {
    e.preventDefault();
    const question = $("question").value.trim();
    if (!question || controller || !model) return;
    $("question").value = "";
    ask(question);
  });
  $("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("ask").requestSubmit();
    }
  });
  $("stop").addEventListener("click", () => controller && controller.abort());
  $("new").addEventListener("click", newChat);
  $("menu").addEventListener("click", () => {
    const open = $("sidebar").classList.toggle("open");
    $("menu").setAttribute("aria-expanded", String(open));
  });
  $("keyform").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem(KEY, $("key").value.trim());
    start();
  });
  start();
});
