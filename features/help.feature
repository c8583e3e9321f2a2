Feature: Help and unrecognised input
  The bot lists what it can do on "help", answers anything it does not know
  with a polite fallback, and its texts are compared literally, markup included.

  Scenario: Help lists the commands
    Given a new conversation
    When the user says "help"
    Then the bot replies containing "You can say: hi, menu, rooms, book"
    And the bot says nothing more

  Scenario: The menu's Help button gives the same help
    Given a new conversation
    When the user says "menu"
    Then the bot shows buttons "Rooms", "Book", "Help", "Website"
    When the user taps "Help"
    Then the bot replies containing "You can also send a photo, a voice message, a video or a file."

  Scenario: Anything else gets the fallback
    Given a new conversation
    When the user says "Can I bring my dog?"
    Then the bot replies 'Sorry, I did not understand. Type "help" to see what I can do.'
    And the bot says nothing more

  Scenario: A text that looks like HTML is compared as it is
    Given a new conversation
    When the user says "html"
    Then the bot replies "<script>alert(1)</script>"

  Scenario: Goodbye offers one button back to the menu
    Given a new conversation
    When the user says "bye"
    Then the bot replies "Thanks for visiting the Grand Demo Hotel."
    And the bot shows button "Menu"
    When the user taps "Menu"
    Then the bot shows buttons "Rooms", "Book", "Help", "Website"
