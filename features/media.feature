Feature: Media
  The bot sends pictures, sound, video and documents by URL, and thanks the
  guest for every kind of upload.

  Scenario: The bot shows a photo of the lobby
    Given a new conversation
    When the user says "photo"
    Then the bot sends an image containing "lobby.jpg"
    And the bot says nothing more

  Scenario: The bot sends a video tour
    Given a new conversation
    When the user says "tour"
    Then the bot sends a video
    And the bot says nothing more

  Scenario: The bot plays the hotel jingle
    Given a new conversation
    When the user says "jingle"
    Then the bot sends an audio containing "jingle.mp3"
    When the user says "anthem"
    Then the bot sends an audio containing "https://example.com/grand-demo-hotel/"

  Scenario: The bot sends the brochure
    Given a new conversation
    When the user says "brochure"
    Then the bot sends a file containing "brochure.pdf"
    And the bot says nothing more

  Scenario: The bot thanks the guest for every kind of upload
    Given a new conversation
    When the user sends an image "https://example.com/uploads/passport.jpg"
    Then the bot replies "Thanks for the photo!"
    When the user sends an audio "https://example.com/uploads/voice-note.ogg"
    Then the bot replies "Thanks for the voice message!"
    When the user sends a video "https://example.com/uploads/view-from-room.mp4"
    Then the bot replies "Thanks for the video!"
    When the user sends a file "https://example.com/uploads/invoice.pdf"
    Then the bot replies "Thanks, we received your file."
    And the bot says nothing more
