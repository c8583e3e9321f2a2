Feature: Greeting and menu
  The demo hotel bot greets a new guest with a text and a menu of buttons.
  The two replies are separate deliveries and may arrive in either order.

  Scenario: The bot greets and offers the menu
    Given a new conversation as "Ann"
    When the user says "hi"
    Then the bot replies "Hello! I am the Grand Demo Hotel bot."
    And the bot replies "What would you like to do?"
    And the bot shows buttons "Rooms", "Book", "Help", "Website"
    And the bot says nothing more
