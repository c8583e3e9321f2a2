Feature: Greeting and menu
  The demo hotel bot greets a new guest with a text and a menu of buttons.
  The two replies are separate deliveries and may arrive in either order,
  so the steps below never depend on the order in which they arrive.

  Scenario: The bot greets and offers the menu
    Given a new conversation as "Ann"
    When the user says "hi"
    Then the bot replies "Hello! I am the Grand Demo Hotel bot."
    And the bot replies "What would you like to do?"
    And the bot shows buttons "Rooms", "Book", "Help", "Website"
    And the bot says nothing more

  Scenario: The bot waits for the guest to speak first
    Given a new conversation
    Then the bot says nothing more

  Scenario: The greeting's replies are matched in any order
    # The bot file lists the greeting text first and the menu second, but the platform
    # delivers every reply as its own webhook call, so the order of arrival is random.
    # Asserting them the other way round must pass every time.
    Given a new conversation
    When the user says "hello"
    Then the bot shows buttons "Rooms", "Book", "Help", "Website"
    And the bot replies "Hello! I am the Grand Demo Hotel bot."
    And the bot says nothing more

  Scenario Outline: Every greeting word starts the conversation
    Given a new conversation
    When the user says "<greeting>"
    Then the bot replies "Hello! I am the Grand Demo Hotel bot."
    And the bot replies "What would you like to do?"
    And the bot shows buttons "Rooms", "Book", "Help", "Website"

    Examples: greeting words (typed text is trimmed and case-insensitive)
      | greeting |
      | hi       |
      | hello    |
      | start    |
      | Hello    |
      | START    |

  Scenario: The menu can be asked for on its own
    Given a new conversation
    When the user says "menu"
    Then the bot replies "What would you like to do?"
    And the bot shows buttons "Rooms", "Book", "Help", "Website"
    And the bot says nothing more

  Scenario: A menu button can be tapped straight after the greeting
    # No Then step between the two actions: the tap waits for the menu to arrive,
    # as a click waits for its button in a browser test.
    Given a new conversation
    When the user says "hi"
    And the user taps "Help"
    Then the bot replies containing "You can say: hi, menu, rooms"
    And the bot says nothing more

  Scenario: The menu's Rooms button shows the rooms
    Given a new conversation
    When the user says "menu"
    Then the bot shows buttons "Rooms", "Book", "Help", "Website"
    When the user taps "Rooms"
    Then the bot shows a carousel with 3 cards
    And the bot says nothing more

  Scenario: The bot tells the guest their own name
    Given a new conversation as "Ann"
    When I say "who am i"
    Then bot replies "You are Ann."
    And bot says nothing more
