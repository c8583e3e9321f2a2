Feature: Link buttons, card images and private notes
  A link button opens a web page instead of sending a postback: tapping it tells the
  bot nothing, so its URL is what to check. Carousel cards may have an image and a
  link of their own. Private agent notes reach the webhook too; they are never
  replies, but a handover flow can assert them.

  Scenario: The menu links to the hotel's website
    Given a new conversation
    When the user says "menu"
    Then the bot shows buttons "Rooms", "Book", "Help", "Website"
    And the bot shows a link button "Website" to "https://example.com/grand-demo-hotel"

  Scenario: Every room card has its picture and no link of its own
    Given a new conversation
    When the user says "rooms"
    Then the carousel has cards:
      | title    | image                                 | url |
      | Deluxe   | https://example.com/rooms/deluxe.jpg   |     |
      | Suite    | https://example.com/rooms/suite.jpg    |     |
      | Standard | https://example.com/rooms/standard.jpg |     |

  Scenario: A confirmed booking leaves a note for the staff
    Given a new conversation as "Ann"
    When the user says "rooms"
    And the user taps "Choose" on card "Deluxe"
    And the user taps "Yes"
    Then the bot replies matching /reference is (?<ref>BK-\d+)/
    And the bot adds a private note "New booking {{ref}} for Ann (agent note)."
    And the bot says nothing more
