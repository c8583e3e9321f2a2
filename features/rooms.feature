Feature: Browsing rooms
  Typing "rooms" shows a carousel with one card per room type. Every card has a
  title, a subtitle with the bed, the view and the price, and two buttons:
  "Choose" starts a booking, "Details" describes the room.

  Background:
    Given a new conversation
    And the user says "rooms"

  Scenario: The carousel lists the three rooms in order
    Then the carousel has cards "Deluxe", "Suite", "Standard"

  Scenario: The carousel comes with a heading and nothing else
    Then the bot replies "Our rooms"
    And the bot shows a carousel with 3 cards
    And the bot says nothing more

  Scenario: Every card shows its subtitle and buttons
    Then the carousel has cards:
      | title    | subtitle                                | buttons         |
      | Deluxe   | King bed, sea view, from $180 a night   | Choose, Details |
      | Suite    | Separate living room, from $320 a night | Choose, Details |
      | Standard | Queen bed, city view, from $110 a night | Choose, Details |

  Scenario: Details of a room are one tap away
    # The tap follows the Background's "rooms" directly: it waits for the carousel.
    When the user taps "Details" on card "Suite"
    Then the bot replies "Suite: 55 m², separate living room, bathtub, breakfast included."
    And the bot says nothing more

  Scenario: Details of every room can be read one after another
    When the user taps "Details" on card "Deluxe"
    Then the bot replies containing "king bed, sea view"
    # The carousel came two turns ago: a tap falls back to the newest message offering the button.
    When the user taps "Details" on card "Standard"
    Then the bot replies "Standard: 22 m², queen bed, city view."
