Feature: Captured variables
  A named group in "replies matching /…/" captures part of a reply as a variable;
  {{name}} in any later step string of the same scenario is replaced by its value.

  Scenario: A booking reference is captured and used for the status check
    Given a new conversation
    When the user says "rooms"
    Then the bot shows a carousel with 3 cards
    When the user taps "Choose" on card "Deluxe"
    Then the bot replies "You chose the Deluxe room."
    And the bot shows buttons "Yes", "No"
    When the user taps "Yes"
    Then the bot replies matching /reference is (?<ref>BK-\d+)/
    When the user says "status {{ref}}"
    Then the bot replies "Booking {{ref}} is confirmed."
    And the bot says nothing more

  Scenario: The status of any reference can be checked
    Given a new conversation
    When the user says "status BK-123"
    Then the bot replies matching /^Booking (?<ref>BK-\d+) is confirmed\.$/
    When the user says "STATUS {{ref}}"
    Then the bot replies "Booking BK-123 is confirmed."

  Scenario: A captured room name picks the card to tap
    Given a new conversation
    When the user says "rooms"
    And the user taps "Choose" on card "Standard"
    Then the bot replies matching /^You chose the (?<room>\w+) room\.$/
    # The carousel came one turn earlier; the tap finds it there.
    When the user taps "Details" on card "{{room}}"
    Then the bot replies "{{room}}: 22 m², queen bed, city view."
