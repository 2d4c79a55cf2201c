/* Playback-speed buttons for the page's native audio players, and one player at a time.
   Progressive enhancement: without JavaScript the players work as they are.
   Each player gets a labelled group of real <button>s (keyboard operable by
   default); the pressed one carries aria-pressed="true". Each button shows "1.25×"
   and is named "1.25 times speed", so a screen reader does not say "1.25 multiply";
   the normal speed shows and says "Normal" (not "1 times speed"). */
(function () {
  "use strict";

  var SPEEDS = [0.75, 1, 1.25, 1.5];

  function label(button, speed) {
    if (speed === 1) {
      button.append("Normal", hidden(" speed"));
      return;
    }
    var sign = document.createElement("span");
    sign.setAttribute("aria-hidden", "true");
    sign.textContent = "\u00d7";
    button.append(String(speed), sign, hidden(" times speed"));
  }

  function hidden(text) {
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = text;
    return words;
  }

  function enhance(audio, index) {
    var id = audio.id || "player-" + index;
    var group = document.createElement("div");
    group.className = "speed";
    group.setAttribute("role", "group");

    var caption = document.createElement("span");
    caption.className = "speed-label";
    caption.textContent = "Playback speed:";
    group.appendChild(caption);

    var title = audio.getAttribute("data-title") || "";
    group.setAttribute("aria-label", "Playback speed" + (title ? " for " + title : ""));

    var buttons = SPEEDS.map(function (speed) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "speed-button";
      label(button, speed);
      button.setAttribute("data-speed", String(speed));
      button.setAttribute("aria-pressed", speed === 1 ? "true" : "false");
      button.addEventListener("click", function () {
        audio.defaultPlaybackRate = speed;
        audio.playbackRate = speed;
        buttons.forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
      });
      group.appendChild(button);
      return button;
    });

    // The player itself can change speed (e.g. from its own menu): keep the buttons true.
    audio.addEventListener("ratechange", function () {
      buttons.forEach(function (button) {
        var pressed = Number(button.getAttribute("data-speed")) === audio.playbackRate;
        button.setAttribute("aria-pressed", pressed ? "true" : "false");
      });
    });

    audio.insertAdjacentElement("afterend", group);
  }

  // Two sections talking at once is noise: starting one player pauses the others.
  function pauseOthers(players, event) {
    Array.prototype.forEach.call(players, function (other) {
      if (other !== event.target && !other.paused) {
        other.pause();
      }
    });
  }

  function start() {
    var players = document.querySelectorAll("audio[controls]");
    Array.prototype.forEach.call(players, enhance);
    // "play" does not bubble: listen in the capture phase to hear every player.
    document.addEventListener("play", function (event) {
      if (event.target instanceof HTMLAudioElement) {
        pauseOthers(players, event);
      }
    }, true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
