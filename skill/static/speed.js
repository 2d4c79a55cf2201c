/* Playback-speed buttons for the page's native audio players.
   Progressive enhancement: without JavaScript the players work as they are.
   Each player gets a labelled group of real <button>s (keyboard operable by
   default); the pressed one carries aria-pressed="true". */
(function () {
  "use strict";

  var SPEEDS = [0.75, 1, 1.25, 1.5];

  function label(speed) {
    return String(speed) + "\u00d7";
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
      button.textContent = label(speed);
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

  function start() {
    var players = document.querySelectorAll("audio[controls]");
    Array.prototype.forEach.call(players, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
