#!/usr/bin/env node
// Drive the running skill with virtual-alexa, an Alexa client independent of this project.
//
// Usage: node tests/e2e/drive.js SKILL_URL [STEPS_JSON_FILE]   (steps on stdin without a file)
//
// The input is {"user": "<userId>", "steps": [...]} or just the list of steps, run in order:
//   {"do": "launch"}                    "Alexa, open facial spasm guide"
//   {"do": "say", "text": "next"}       an utterance, matched against the interaction model
//   {"do": "intent", "name": "X", "slots": {...}}   an intent sent directly
//   {"do": "local", "name": "X", "slots": {...}}    an intent the interaction model does not
//        have, sent only by the chat and voice front-ends (DidYouMeanIntent): virtual-alexa
//        builds a Help request, and the filter renames it, so it still crosses real HTTP
//   {"do": "end"}                       the listener walks away (SessionEndedRequest)
//   {"do": "new_session"}               forget the open session; the same user comes back
// Extra keys on a step (like "expect") are ignored here.
//
// Prints one JSON line per step: {"step", "do", "request", "intent", "slots", "ssml",
// "reprompt", "ended", "sessionAttributes"}, or {"step", "do", "error"} and exit 1 at the
// first error (an unmatched utterance, a non-200 answer, a broken response).
// The user id stays the same for the whole run, as for one Alexa account.
"use strict";

const fs = require("fs");
const path = require("path");
const va = require("virtual-alexa");

const ROOT = path.resolve(__dirname, "..", "..");
const MODEL = path.join(ROOT, "skill-package", "interactionModels", "custom", "en-US.json");
const USER_ID = process.env.E2E_USER_ID || "amzn1.ask.account.e2e-virtual-alexa";

function readInput(file) {
  const text = file ? fs.readFileSync(file, "utf8") : fs.readFileSync(0, "utf8");
  const data = JSON.parse(text);
  const input = Array.isArray(data) ? { steps: data } : data;
  if (!input || !Array.isArray(input.steps)) {
    throw new Error("expected a list of steps or {\"user\": ..., \"steps\": [...]}");
  }
  return input;
}

function summary(index, step, request, result) {
  const response = (result && result.response) || {};
  const speech = response.outputSpeech || {};
  const reprompt = (response.reprompt && response.reprompt.outputSpeech) || {};
  return {
    step: index,
    do: step.do,
    request: request ? request.request.type : null,
    intent: request && request.request.intent ? request.request.intent.name : null,
    slots: request && request.request.intent ? request.request.intent.slots : null,
    ssml: speech.ssml || speech.text || "",
    reprompt: reprompt.ssml || reprompt.text || "",
    ended: response.shouldEndSession !== false,
    sessionAttributes: (result && result.sessionAttributes) || {},
  };
}

function localSlots(values) {
  const slots = {};
  for (const [name, value] of Object.entries(values)) {
    slots[name] = { name, value: String(value), confirmationStatus: "NONE" };
  }
  return slots;
}

async function run(url, steps, userId) {
  const alexa = va.VirtualAlexa.Builder()
    .skillURL(url)
    .interactionModelFile(MODEL)
    .locale("en-US")
    .create();
  alexa.context().user().setID(userId || USER_ID);
  let sent = null;
  let rename = null;
  alexa.filter((request) => {
    if (rename && request.request.intent) {
      request.request.intent.name = rename.name;
      request.request.intent.slots = rename.slots;
      rename = null;
    }
    sent = request;
  });
  for (let index = 0; index < steps.length; index += 1) {
    const step = steps[index];
    sent = null;
    try {
      let result;
      switch (step.do) {
        case "launch":
          result = await alexa.launch();
          break;
        case "say":
          result = await alexa.utter(String(step.text));
          break;
        case "intent":
          result = await alexa.intend(String(step.name), step.slots || undefined);
          break;
        case "local":
          rename = { name: String(step.name), slots: localSlots(step.slots || {}) };
          result = await alexa.intend("AMAZON.HelpIntent");
          break;
        case "end":
          if (!alexa.context().activeSession()) {
            console.log(JSON.stringify({ step: index, do: step.do, skipped: "no open session" }));
            continue;
          }
          result = await alexa.endSession();
          break;
        case "new_session":
          alexa.context().endSession();
          console.log(JSON.stringify({ step: index, do: step.do }));
          continue;
        default:
          throw new Error(`unknown step ${JSON.stringify(step)}`);
      }
      console.log(JSON.stringify(summary(index, step, sent, result)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.log(JSON.stringify({ step: index, do: step.do, error: message }));
      return 1;
    }
  }
  return 0;
}

async function main() {
  const [url, file] = process.argv.slice(2);
  if (!url) {
    console.error("usage: node tests/e2e/drive.js SKILL_URL [STEPS_JSON_FILE]");
    return 2;
  }
  const input = readInput(file);
  return run(url, input.steps, input.user);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exitCode = 2;
  },
);
